with

source as (

    select * from {{ source('raw', 'inventory') }}

),

renamed as (

    select
        snapshot_date,
        sku,
        warehouse,
        on_hand_qty,
        unit_cost as snapshot_unit_cost,
        _loaded_at as loaded_at,
        -- the load that wrote the row: int_inventory_daily rewrites the days new rows touch
        _load_id as load_id

    from source

)

select * from renamed

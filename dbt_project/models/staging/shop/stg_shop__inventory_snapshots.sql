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
        _loaded_at as loaded_at

    from source

)

select * from renamed

with

source as (

    select * from {{ source('raw', 'logistics') }}

),

renamed as (

    select
        shipment_id,
        order_id,
        carrier,
        warehouse,
        direction,
        ship_ts as shipped_at,
        promised_ts as promised_at,
        delivered_ts as delivered_at,
        {{ local_date('ship_ts') }} as ship_date,
        region,
        weight_kg,
        cost,
        upper(currency) as currency,
        _loaded_at as loaded_at,
        -- the load that wrote the row: incremental models pick up loads since their last build
        _load_id as load_id

    from source

)

select * from renamed

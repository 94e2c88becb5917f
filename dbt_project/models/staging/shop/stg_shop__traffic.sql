with

source as (

    select * from {{ source('raw', 'traffic') }}

),

renamed as (

    select
        "date" as traffic_date,
        platform,
        channel,
        device,
        sessions,
        visitors,
        page_views,
        product_views,
        add_to_cart,
        checkouts,
        orders as reported_orders,
        _loaded_at as loaded_at,
        -- the load that wrote the row: incremental models pick up loads since their last build
        _load_id as load_id

    from source

)

select * from renamed

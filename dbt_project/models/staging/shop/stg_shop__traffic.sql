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
        _loaded_at as loaded_at

    from source

)

select * from renamed

-- The traffic funnel as the platforms report it (kpis.md, conversion_funnel).
with

traffic as (

    select * from {{ ref('stg_shop__traffic') }}

),

final as (

    select
        traffic_date as "date",
        platform,
        channel,
        device,
        sessions,
        product_views,
        add_to_cart,
        checkouts,
        reported_orders as orders,
        {{ safe_ratio('reported_orders', 'sessions') }} as conversion_rate,
        {{ safe_ratio('add_to_cart', 'sessions') }} as cart_rate,
        {{ safe_ratio('checkouts', 'add_to_cart') }} as checkout_rate
    from traffic

)

select * from final
order by "date", platform, channel, device

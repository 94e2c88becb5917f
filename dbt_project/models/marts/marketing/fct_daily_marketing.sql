-- Whole-shop marketing efficiency per day (kpis.md, fct_daily_marketing). From the marts
-- that already sum the day: fct_daily_kpis (the valid orders' money and new customers per
-- platform) and int_campaign_days (the attributed orders per campaign), so that no build
-- reads every order again. A few rows per day: written whole on every build.
with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}

),

daily_kpis as (

    select * from {{ ref('fct_daily_kpis') }}

),

campaign_days as (

    select * from {{ ref('int_campaign_days') }}

),

sources_present as (

    select * from {{ ref('int_sources_present') }}

),

spend_days as (

    select
        spend_date as marketing_date,
        sum(spend) as ad_spend
    from ad_spend
    group by spend_date

),

attributed_days as (

    select
        campaign_date as marketing_date,
        sum(attributed_revenue) as attributed_revenue
    from campaign_days
    group by campaign_date

),

-- the days with valid orders, as fct_daily_kpis has them per platform
order_days as (

    select
        daily_kpis."date" as marketing_date,
        sum(daily_kpis.net_revenue) as net_revenue,
        sum(daily_kpis.new_customers) as new_customers
    from daily_kpis
    where daily_kpis.orders > 0
    group by daily_kpis."date"

),

joined as (

    select
        coalesce(spend_days.marketing_date, order_days.marketing_date) as marketing_date,
        -- a day without rows is 0 when the export exists, unknown (NULL) when it never came
        case when sources_present.has_ads then coalesce(spend_days.ad_spend, 0) end as ad_spend,
        case
            when sources_present.has_orders then coalesce(order_days.net_revenue, 0)
        end as net_revenue,
        case
            when sources_present.has_orders then coalesce(order_days.new_customers, 0)
        end as new_customers,
        -- unknown without orders that name their campaign (utm_campaign)
        case
            when sources_present.has_order_campaigns and sources_present.has_ads
                then coalesce(attributed_days.attributed_revenue, 0)
        end as attributed_revenue
    from spend_days
    full outer join order_days
        on spend_days.marketing_date = order_days.marketing_date
    left join attributed_days
        on
            coalesce(spend_days.marketing_date, order_days.marketing_date)
            = attributed_days.marketing_date
    cross join sources_present

),

final as (

    select
        marketing_date as "date",
        ad_spend,
        net_revenue,
        {{ safe_ratio('net_revenue', 'ad_spend') }} as mer,
        new_customers,
        {{ safe_ratio('ad_spend', 'new_customers') }} as blended_cac,
        attributed_revenue,
        {{ safe_ratio('attributed_revenue', 'ad_spend') }} as roas
    from joined

)

select * from final
order by "date"

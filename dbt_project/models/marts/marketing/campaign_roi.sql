-- Campaign return per day (kpis.md, campaign_roi): a row for every day a campaign had
-- spend or attributed orders. Attribution is last click: the order's utm_campaign equals
-- the campaign_id; an order counts on its paid day.
with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}

),

orders as (

    select * from {{ ref('int_orders_attributed') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

sources_present as (

    select * from {{ ref('int_sources_present') }}

),

spend_days as (

    select
        spend_date as campaign_date,
        ad_platform,
        campaign_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_spend
    group by spend_date, ad_platform, campaign_id

),

attributed_days as (

    select
        orders.paid_date as campaign_date,
        orders.attributed_ad_platform as ad_platform,
        orders.attributed_campaign_id as campaign_id,
        count(*) as attributed_orders,
        sum(orders.net_revenue) as attributed_revenue,
        -- from the sums, as fct_daily_kpis: cogs is its known part, NULL when unknown
        sum(orders.net_revenue) - sum(orders.cogs) - sum(orders.logistics_cost)
            as attributed_gross_profit,
        sum(case when orders.is_first_order then 1 else 0 end) as new_customers
    from orders
    where orders.attributed_campaign_id is not null
    group by orders.paid_date, orders.attributed_ad_platform, orders.attributed_campaign_id

),

joined as (

    select
        coalesce(spend_days.campaign_date, attributed_days.campaign_date) as campaign_date,
        coalesce(spend_days.ad_platform, attributed_days.ad_platform) as ad_platform,
        coalesce(spend_days.campaign_id, attributed_days.campaign_id) as campaign_id,
        coalesce(spend_days.spend, 0) as spend,
        coalesce(spend_days.impressions, 0) as impressions,
        coalesce(spend_days.clicks, 0) as clicks,
        -- without orders that name their campaign nothing can be attributed: unknown, not 0
        case
            when sources_present.has_order_campaigns
                then coalesce(attributed_days.attributed_orders, 0)
        end as attributed_orders,
        case
            when sources_present.has_order_campaigns
                then coalesce(attributed_days.attributed_revenue, 0)
        end as attributed_revenue,
        -- a day with spend and no attributed order made no profit (0); unknown stays NULL
        case
            when sources_present.has_order_campaigns and attributed_days.campaign_id is null then 0
            else attributed_days.attributed_gross_profit
        end as attributed_gross_profit,
        case
            when sources_present.has_order_campaigns then coalesce(attributed_days.new_customers, 0)
        end as new_customers
    from spend_days
    full outer join attributed_days
        on
            spend_days.campaign_date = attributed_days.campaign_date
            and spend_days.ad_platform = attributed_days.ad_platform
            and spend_days.campaign_id = attributed_days.campaign_id
    cross join sources_present

),

final as (

    select
        joined.campaign_date as "date",
        joined.ad_platform,
        joined.campaign_id,
        campaigns.campaign_name,
        joined.spend,
        joined.impressions,
        joined.clicks,
        {{ safe_ratio('joined.clicks', 'joined.impressions') }} as ctr,
        {{ safe_ratio('joined.spend', 'joined.clicks') }} as cpc,
        joined.attributed_orders,
        joined.attributed_revenue,
        joined.attributed_gross_profit,
        {{ safe_ratio('joined.attributed_revenue', 'joined.spend') }} as roas,
        {{ safe_ratio('joined.attributed_gross_profit - joined.spend', 'joined.spend') }} as roi,
        joined.new_customers,
        {{ safe_ratio('joined.spend', 'joined.new_customers') }} as cac
    from joined
    left join campaigns
        on joined.campaign_id = campaigns.campaign_id

)

select * from final
order by "date", ad_platform, campaign_id

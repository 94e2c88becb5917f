-- Campaign return per day, without the campaign's name (campaign_roi joins it, so a new
-- name in an ads export renames every day of the campaign without rewriting its days): a
-- row for every day a campaign had spend or attributed orders. Attribution is last click:
-- the order's utm_campaign equals the campaign_id; an order counts on its paid day.
-- Incremental: a build computes again, whole, each day it changed (int_changed_days: the
-- paid days of the orders it rewrote, the days of the ad rows it loaded, and every paid day
-- of the orders a campaign new to the ads exports now attributes).
-- depends_on: {{ ref('int_changed_days') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed_days('campaign_date') }}",
        on_schema_change='fail',
    )
}}

with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}
    where {{ only_changed_days('spend_date') }}

),

orders as (

    select * from {{ ref('int_orders_attributed') }}
    where attributed_campaign_id is not null and {{ only_changed_days('paid_date') }}

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
        paid_date as campaign_date,
        attributed_ad_platform as ad_platform,
        attributed_campaign_id as campaign_id,
        count(*) as attributed_orders,
        sum(net_revenue) as attributed_revenue,
        -- from the sums, as fct_daily_kpis: cogs is its known part, NULL when unknown
        sum(net_revenue) - sum(cogs) - sum(logistics_cost) as attributed_gross_profit,
        sum(case when is_first_order then 1 else 0 end) as new_customers
    from orders
    group by paid_date, attributed_ad_platform, attributed_campaign_id

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

)

select * from joined

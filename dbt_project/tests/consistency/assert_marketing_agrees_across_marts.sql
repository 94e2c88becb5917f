{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'campaign_roi'}}}) }}
-- Spend and attributed revenue are one number in campaign_roi and fct_daily_marketing, and
-- no day's attributed revenue is more than its net revenue.
-- Returns one row per disagreeing pair or day.
with

campaigns as (

    select
        sum(spend) as spend,
        sum(attributed_revenue) as attributed_revenue
    from {{ ref('campaign_roi') }}

),

marketing as (

    select
        sum(ad_spend) as spend,
        sum(attributed_revenue) as attributed_revenue
    from {{ ref('fct_daily_marketing') }}

),

pairs as (

    select
        'campaign_roi spend vs fct_daily_marketing' as rule,
        campaigns.spend as found,
        marketing.spend as expected
    from campaigns cross join marketing
    union all
    select
        'campaign_roi attributed revenue vs fct_daily_marketing' as rule,
        campaigns.attributed_revenue as found,
        marketing.attributed_revenue as expected
    from campaigns cross join marketing

),

over_attributed as (

    select
        'attributed revenue above net revenue on ' || cast("date" as varchar) as rule,
        attributed_revenue as found,
        net_revenue as expected
    from {{ ref('fct_daily_marketing') }}
    where attributed_revenue > net_revenue + 0.01

)

select * from pairs
where abs(coalesce(found, 0) - coalesce(expected, 0)) > 0.01
union all
select * from over_attributed

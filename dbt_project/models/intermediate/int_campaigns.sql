-- One row per campaign id seen in the ads exports: what an order's utm_campaign must equal
-- to be attributed (last click). A campaign id belongs to one ad platform.
with

ad_spend as (

    select * from {{ ref('stg_shop__ad_spend') }}

),

campaigns as (

    select
        campaign_id,
        min(ad_platform) as ad_platform,
        max(campaign_name) as campaign_name,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date
    from ad_spend
    group by campaign_id

)

select * from campaigns

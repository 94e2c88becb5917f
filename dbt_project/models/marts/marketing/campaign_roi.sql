-- Campaign return per day (kpis.md, campaign_roi): int_campaign_days, whose rows a build
-- rewrites by day, with each campaign's name and the ratios. Written whole on every build:
-- a row per campaign and day, so a renamed campaign is renamed on every day.
with

campaign_days as (

    select * from {{ ref('int_campaign_days') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

final as (

    select
        campaign_days.campaign_date as "date",
        campaign_days.ad_platform,
        campaign_days.campaign_id,
        campaigns.campaign_name,
        campaign_days.spend,
        campaign_days.impressions,
        campaign_days.clicks,
        {{ safe_ratio('campaign_days.clicks', 'campaign_days.impressions') }} as ctr,
        {{ safe_ratio('campaign_days.spend', 'campaign_days.clicks') }} as cpc,
        campaign_days.attributed_orders,
        campaign_days.attributed_revenue,
        campaign_days.attributed_gross_profit,
        {{ safe_ratio('campaign_days.attributed_revenue', 'campaign_days.spend') }} as roas,
        {{ safe_ratio(
            'campaign_days.attributed_gross_profit - campaign_days.spend', 'campaign_days.spend'
        ) }} as roi,
        campaign_days.new_customers,
        {{ safe_ratio('campaign_days.spend', 'campaign_days.new_customers') }} as cac
    from campaign_days
    left join campaigns
        on campaign_days.campaign_id = campaigns.campaign_id

)

select * from final
order by "date", ad_platform, campaign_id

-- Ad spend per day and campaign in the reporting currency at the rate of its day.
with

ad_spend as (

    select * from {{ ref('stg_shop__ad_spend') }}

),

fx as (

    select * from {{ ref('int_fx_rates_daily') }}

),

converted as (

    select
        ad_spend.spend_date,
        ad_spend.ad_platform,
        ad_spend.account_id,
        ad_spend.campaign_id,
        ad_spend.campaign_name,
        ad_spend.currency,
        fx.rate as fx_rate,
        ad_spend.impressions,
        ad_spend.clicks,
        {{ to_reporting('ad_spend.spend', 'fx.rate') }} as spend,
        ad_spend.load_id
    from ad_spend
    left join fx
        on
            ad_spend.spend_date = fx.rate_date
            and ad_spend.currency = fx.currency

)

select * from converted

-- Valid orders with the campaign that brought them, by last click: the order's
-- utm_campaign equals a campaign_id of the ads exports (NULL when it matches none).
-- a view: a filtered copy of millions of orders would be written again on every build
{{ config(materialized='view') }}

with

orders as (

    select * from {{ ref('int_orders_summarised') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

final as (

    select  -- noqa: AM04
        -- every column of int_orders_summarised, and the order's campaign
        orders.*,
        campaigns.ad_platform as attributed_ad_platform,
        campaigns.campaign_id as attributed_campaign_id
    from orders
    left join campaigns
        on orders.utm_campaign = campaigns.campaign_id
    where orders.is_valid

)

select * from final  -- noqa: AM04

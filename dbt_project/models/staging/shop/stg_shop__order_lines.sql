with

source as (

    select * from {{ source('raw', 'orders') }}

),

renamed as (

    select
        platform,
        order_id,
        coalesce(line_id, sku) as line_key,
        shop_id,
        customer_id,
        order_ts as ordered_at,
        paid_ts as paid_at,
        {{ local_date('order_ts') }} as order_date,
        {{ local_date('paid_ts') }} as paid_date,
        status,
        -- an order-level export names no SKU (pipelines/adapters/base.py, ORDER_LEVEL_SKU):
        -- its lines count in shop and platform KPIs, never as a SKU of their own
        case when sku != '(order level)' then sku end as sku,
        quantity,
        unit_price,
        discount,
        coalesce(refund_amount, 0) as refund_amount,
        upper(currency) as currency,
        utm_source,
        utm_medium,
        utm_campaign,
        region,
        device,
        paid_ts is not null and status not in ('pending', 'cancelled') as is_valid,
        _loaded_at as loaded_at,
        -- the load that wrote the row: incremental models pick up loads since their last build
        _load_id as load_id

    from source

)

select * from renamed

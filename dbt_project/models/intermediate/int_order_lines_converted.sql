-- Order lines with money in the reporting currency at the rate of the order's paid day
-- (its order day when never paid), and the product's unit cost at that same day.
-- Incremental: a build rewrites every line of each order a load since the last build added
-- or re-exported (a new products or rates export rebuilds in full: pipelines/lib/incremental.py).
-- The loads' own lines are converted; the order's other lines, which no load since has
-- touched, are the same raw rows at the same rate and cost: copied from this table as
-- they are, so the build reads only the new loads of the raw orders (they sit at its end,
-- where a scan by load finds them), never its millions of older lines.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['platform', 'order_id'],
        on_schema_change='fail',
    )
}}

with

order_lines as (

    select * from {{ ref('stg_shop__order_lines') }}
    {% if is_incremental() %}
        where {{ loads_since_last_build() }}
    {% endif %}

),

{% if is_incremental() %}

previous as (

    -- every line this table holds of those orders, with the day it counted on before: one
    -- read of its order ids (DuckDB filters while it reads; an order of another platform
    -- with the same id is dropped by the joins below)
    select
        platform,
        order_id,
        line_key,
        paid_date{{ row_locator() }}
    from {{ this }}
    where order_id in (select order_lines.order_id from order_lines)

),

untouched_lines as (

    -- the lines of those orders that the loads did not export again, every column: found
    -- among the lines above, then read (a re-export usually names every line: nothing to read)
    {{ rows_located(this, "previous", "(previous.platform, previous.order_id) in (
            select order_lines.platform, order_lines.order_id from order_lines)
        and (previous.platform, previous.order_id, previous.line_key) not in (
            select order_lines.platform, order_lines.order_id, order_lines.line_key
            from order_lines)") }}

),

{% endif %}

products as (

    select * from {{ ref('stg_shop__products') }}

),

fx as (

    select * from {{ ref('int_fx_rates_daily') }}

),

converted as (

    select
        order_lines.platform,
        order_lines.order_id,
        order_lines.line_key,
        order_lines.customer_id,
        order_lines.ordered_at,
        order_lines.paid_at,
        order_lines.order_date,
        order_lines.paid_date,
        order_lines.status,
        order_lines.is_valid,
        order_lines.sku,
        products.category,
        order_lines.quantity,
        order_lines.currency,
        line_fx.rate as fx_rate,
        order_lines.load_id,
        -- which build wrote the row, and the day the line counted on before it: later
        -- models rewrite the days and customers this build touched (int_changed_days)
        '{{ invocation_id }}' as build_id,
        {% if is_incremental() %}
            previous.paid_date as previous_paid_date,
        {% else %}
            cast(null as date) as previous_paid_date,
        {% endif %}
        order_lines.utm_source,
        order_lines.utm_medium,
        order_lines.utm_campaign,
        order_lines.region,
        order_lines.device,
        {{ to_reporting('order_lines.quantity * order_lines.unit_price', 'line_fx.rate') }}
            as gross_sales,
        {{ to_reporting('order_lines.discount', 'line_fx.rate') }} as discounts,
        {{ to_reporting('order_lines.refund_amount', 'line_fx.rate') }} as refunds,
        {{ to_reporting('products.unit_cost', 'cost_fx.rate') }} as unit_cost,
        -- the products export gives this SKU's unit cost (without it, cogs is unknown)
        products.unit_cost is not null as has_unit_cost
    from order_lines
    left join fx as line_fx
        on
            coalesce(order_lines.paid_date, order_lines.order_date) = line_fx.rate_date
            and order_lines.currency = line_fx.currency
    left join products
        on order_lines.sku = products.sku
    left join fx as cost_fx
        on
            coalesce(order_lines.paid_date, order_lines.order_date) = cost_fx.rate_date
            and products.currency = cost_fx.currency
    {% if is_incremental() %}
        left join previous
            on
                order_lines.platform = previous.platform
                and order_lines.order_id = previous.order_id
                and order_lines.line_key = previous.line_key
    {% endif %}

),

final as (

    select
        *,
        gross_sales - discounts - refunds as net_revenue,
        -- goods of a refunded line came back: no cost of goods sold; NULL when the
        -- products export does not give this SKU's unit cost
        case
            when status = 'refunded' then cast(0 as decimal(18, 4))
            else cast(quantity * unit_cost as decimal(18, 4))
        end as cogs
    from converted

)

select * from final
{% if is_incremental() %}
    union all
    select
        platform,
        order_id,
        line_key,
        customer_id,
        ordered_at,
        paid_at,
        order_date,
        paid_date,
        status,
        is_valid,
        sku,
        category,
        quantity,
        currency,
        fx_rate,
        load_id,
        '{{ invocation_id }}' as build_id,
        paid_date as previous_paid_date,
        utm_source,
        utm_medium,
        utm_campaign,
        region,
        device,
        gross_sales,
        discounts,
        refunds,
        unit_cost,
        has_unit_cost,
        net_revenue,
        cogs
    from untouched_lines
{% endif %}

-- One row per order: its valid lines' money, its shipments' cost, and whether it is the
-- customer's first valid order. An order is valid when any of its lines is paid and not
-- pending or cancelled; only valid lines count towards its money.
-- Incremental: a build rewrites each order whose lines or shipments it rewrote, and every
-- order of those orders' customers (whose first order may have changed).
-- depends_on: {{ ref('int_rewritten_orders') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['platform', 'order_id'],
        on_schema_change='fail',
    )
}}

with

{% if is_incremental() %}

rewritten_lines as (

    select
        platform,
        order_id,
        customer_id
    from {{ ref('int_rewritten_orders') }}
    where rewritten = 'lines'

),

reshipped_orders as (

    select order_id from {{ ref('int_rewritten_orders') }}
    where rewritten = 'shipments'

),

changed_orders as (

    select
        platform,
        order_id
    from rewritten_lines
    union
    select
        platform,
        order_id
    from {{ this }}
    where order_id in (select order_id from reshipped_orders)

),

affected_customers as (

    select
        platform,
        customer_id
    from rewritten_lines
    union
    select
        previous.platform,
        previous.customer_id
    from {{ this }} as previous
    inner join changed_orders
        on
            previous.platform = changed_orders.platform
            and previous.order_id = changed_orders.order_id

),

batch_orders as (

    select
        platform,
        order_id
    from changed_orders
    union
    select
        previous.platform,
        previous.order_id
    from {{ this }} as previous
    inner join affected_customers
        on
            previous.platform = affected_customers.platform
            and previous.customer_id = affected_customers.customer_id

),

{% endif %}

order_lines as (

    select * from {{ ref('int_order_lines_converted') }}
    {% if is_incremental() %}
        -- a tuple `in` (int_order_lines_converted says why)
        where (platform, order_id) in (
            select
                batch_orders.platform,
                batch_orders.order_id
            from batch_orders
        )
    {% endif %}

),

shipments as (

    select * from {{ ref('int_shipments_converted') }}
    {% if is_incremental() %}
        where order_id in (select order_id from batch_orders)
    {% endif %}

),

sources_present as (

    select * from {{ ref('int_sources_present') }}

),

shipping_per_order as (

    select
        order_id,
        {{ stored_money('sum(cost)') }} as logistics_cost,
        count(*) as shipments
    from shipments
    group by order_id

),

orders as (

    select
        platform,
        order_id,
        min(customer_id) as customer_id,
        min(ordered_at) as ordered_at,
        min(case when is_valid then paid_at end) as paid_at,
        bool_or(is_valid) as is_valid,
        min(utm_campaign) as utm_campaign,
        {{ stored_count('sum(case when is_valid then quantity else 0 end)') }} as units,
        {{ stored_money('sum(case when is_valid then gross_sales else 0 end)') }} as gross_sales,
        {{ stored_money('sum(case when is_valid then discounts else 0 end)') }} as discounts,
        {{ stored_money('sum(case when is_valid then refunds else 0 end)') }} as refunds,
        -- cost of goods of the lines whose unit cost is known; NULL when none of them is
        {{ stored_money("case
            when not bool_or(is_valid) then 0
            when bool_or(is_valid and has_unit_cost)
                then sum(case when is_valid and has_unit_cost then cogs else 0 end)
        end") }} as cogs,
        {{ stored_money("sum(
            case when is_valid and has_unit_cost then gross_sales - discounts - refunds else 0 end
        )") }} as net_revenue_with_cost
    from order_lines
    group by platform, order_id

),

with_shipping as (

    select
        orders.*,
        {{ local_date('orders.paid_at') }} as paid_date,
        {{ month_start(local_date('orders.paid_at')) }} as paid_month,
        {{ stored_money('orders.gross_sales - orders.discounts - orders.refunds') }}
            as net_revenue,
        -- the platform adapters' placeholder for a buyer the export does not name
        -- (pipelines/adapters/base.py, PLACEHOLDER_CUSTOMER_PREFIX)
        coalesce(orders.customer_id like 'anonymous:%', false) as is_placeholder_customer,
        -- no logistics export at all: the cost is unknown, not 0
        {{ stored_money("case
            when sources_present.has_logistics
                then coalesce(shipping_per_order.logistics_cost, 0)
        end") }} as logistics_cost
    from orders
    cross join sources_present
    left join shipping_per_order
        on orders.order_id = shipping_per_order.order_id

),

sequenced as (

    select
        *,
        -- a placeholder buyer (masked or absent in the export) is never anyone's first order
        case
            when is_valid and not is_placeholder_customer
                then row_number() over (
                    partition by platform, customer_id, is_valid
                    order by paid_at, order_id
                )
        end as customer_order_number
    from with_shipping

),

final as (

    select
        sequenced.*,
        sequenced.customer_order_number = 1 as is_first_order,
        {{ stored_money('sequenced.net_revenue - sequenced.cogs - sequenced.logistics_cost') }}
            as gross_profit,
        -- the build that last changed the row, and the day and buyer the order counted for
        -- before it (int_changed_days, int_changed_customers): another order of the same
        -- customer is rewritten too, but changes no day unless its first-order flag moved
        {% if is_incremental() %}
            case
                when
                    changed_orders.order_id is not null
                    or previous.is_first_order is distinct from (
                        sequenced.customer_order_number = 1
                    )
                    then '{{ invocation_id }}'
                else previous.build_id
            end as build_id,
            previous.paid_date as previous_paid_date,
            previous.customer_id as previous_customer_id,
        {% else %}
            '{{ invocation_id }}' as build_id,
            cast(null as date) as previous_paid_date,
            cast(null as varchar) as previous_customer_id,
        {% endif %}
        -- the build that last rewrote every order of the customer: the per-customer
        -- models read these rows (appended together, so a scan skips the rest)
        '{{ invocation_id }}' as customer_build_id
    from sequenced
    {% if is_incremental() %}
        left join {{ this }} as previous
            on
                sequenced.platform = previous.platform
                and sequenced.order_id = previous.order_id
        left join changed_orders
            on
                sequenced.platform = changed_orders.platform
                and sequenced.order_id = changed_orders.order_id
    {% endif %}

)

select * from final

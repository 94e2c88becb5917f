-- One row per order: its valid lines' money, its shipments' cost, and whether it is the
-- customer's first valid order. An order is valid when any of its lines is paid and not
-- pending or cancelled; only valid lines count towards its money.
-- Incremental: a build rewrites each order whose lines or shipments it rewrote, and every
-- order of those orders' customers (whose first order may have changed). Only the orders
-- whose lines it rewrote are summed from their lines (they carry this build's id, at the
-- end of int_order_lines_converted: a scan by build id skips the ten million others); the
-- other orders of the batch keep the sums they have here.
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

previous_of_changed as (

    -- the rows here of the orders whose lines or shipments this build rewrote, by order id
    -- (DuckDB filters while it reads)
    select
        platform,
        order_id,
        customer_id
    from {{ this }}
    where order_id in (
        select order_id from rewritten_lines
        union
        select order_id from reshipped_orders
    )

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
    from previous_of_changed
    where order_id in (select order_id from reshipped_orders)

),

affected_customers as (

    select
        platform,
        customer_id
    from rewritten_lines
    union
    select
        previous_of_changed.platform,
        previous_of_changed.customer_id
    from previous_of_changed
    inner join changed_orders
        on
            previous_of_changed.platform = changed_orders.platform
            and previous_of_changed.order_id = changed_orders.order_id

),

previous_batch as (

    -- every row here of the affected customers, as the last build left them: the batch's
    -- rows (a changed order's row names its previous buyer, who is affected); only the
    -- columns this model reads back (DuckDB then reads only theirs)
    select
        platform,
        order_id,
        customer_id,
        ordered_at,
        paid_at,
        is_valid,
        utm_campaign,
        units,
        gross_sales,
        discounts,
        refunds,
        cogs,
        net_revenue_with_cost,
        paid_date,
        is_first_order,
        build_id
    from (
        {{ rows_where(this, "customer_id in (
            select affected_customers.customer_id from affected_customers)") }}
    ) as rows_of_affected_ids
    where (platform, customer_id) in (
        select
            affected_customers.platform,
            affected_customers.customer_id
        from affected_customers
    )

),

batch_orders as (

    select
        platform,
        order_id
    from changed_orders
    union
    select
        platform,
        order_id
    from previous_batch

),

{% endif %}

order_lines as (

    select * from {{ ref('int_order_lines_converted') }}
    {% if is_incremental() %}
        -- every line of each order whose lines this build rewrote
        where build_id = '{{ invocation_id }}'
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
    {% if is_incremental() %}
        union all
        select
            previous_batch.platform,
            previous_batch.order_id,
            previous_batch.customer_id,
            previous_batch.ordered_at,
            previous_batch.paid_at,
            previous_batch.is_valid,
            previous_batch.utm_campaign,
            previous_batch.units,
            previous_batch.gross_sales,
            previous_batch.discounts,
            previous_batch.refunds,
            previous_batch.cogs,
            previous_batch.net_revenue_with_cost
        from previous_batch
        where not exists (
            select 1 from rewritten_lines
            where
                rewritten_lines.platform = previous_batch.platform
                and rewritten_lines.order_id = previous_batch.order_id
        )
    {% endif %}

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
        left join previous_batch as previous
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

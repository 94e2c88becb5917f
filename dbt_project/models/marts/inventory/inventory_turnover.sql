-- Stock turn per month and sku (kpis.md, inventory_turnover). Sales count in the month of
-- the order's paid day; stock in the month of its snapshot day.
with

-- the order lines' units and cogs per day and SKU, summed once (int_daily_sku_sales), not
-- every order line again on every build
daily_sales as (

    select * from {{ ref('int_daily_sku_sales') }}
    -- an order-level export names no SKU: nothing to turn over
    where sku is not null

),

stock_days as (

    select * from {{ ref('int_inventory_daily') }}

),

products as (

    select * from {{ ref('stg_shop__products') }}

),

sales as (

    select
        {{ month_start('sales_date') }} as turnover_month,
        sku,
        sum(units) as units_sold,
        -- a SKU without a unit cost in the products export has unknown cogs
        case when count(cogs) = count(*) then sum(cogs) end as cogs
    from daily_sales
    group by {{ month_start('sales_date') }}, sku

),

stock_ranked as (

    select
        *,
        {{ month_start('snapshot_date') }} as turnover_month,
        row_number() over (
            partition by sku, {{ month_start('snapshot_date') }}
            order by snapshot_date desc
        ) as days_from_month_end
    from stock_days

),

stock as (

    select
        turnover_month,
        sku,
        count(*) as snapshot_days,
        avg(inventory_value) as avg_inventory_value,
        sum(case when on_hand_qty = 0 then 1 else 0 end) as stockout_days,
        max(case when days_from_month_end = 1 then on_hand_qty end) as closing_on_hand_qty
    from stock_ranked
    group by turnover_month, sku

),

joined as (

    select
        coalesce(sales.turnover_month, stock.turnover_month) as turnover_month,
        coalesce(sales.sku, stock.sku) as sku,
        coalesce(sales.units_sold, 0) as units_sold,
        -- no sales: no cost of goods; sales of a SKU without a unit cost: unknown
        case when sales.sku is null then 0 else sales.cogs end as cogs,
        coalesce(stock.snapshot_days, 0) as snapshot_days,
        stock.avg_inventory_value,
        stock.closing_on_hand_qty,
        -- no snapshot that month: stock-outs are unknown, not 0
        stock.stockout_days
    from sales
    full outer join stock
        on
            sales.turnover_month = stock.turnover_month
            and sales.sku = stock.sku

),

with_turnover as (

    select
        *,
        {{ safe_ratio('cogs', 'avg_inventory_value') }} as turnover
    from joined

),

final as (

    select
        with_turnover.turnover_month as "month",
        with_turnover.sku,
        products.category,
        with_turnover.units_sold,
        with_turnover.cogs,
        with_turnover.avg_inventory_value,
        with_turnover.turnover,
        {{ safe_ratio('with_turnover.snapshot_days', 'with_turnover.turnover') }}
            as days_of_inventory,
        {{ safe_ratio(
            'with_turnover.units_sold',
            'with_turnover.units_sold + with_turnover.closing_on_hand_qty'
        ) }} as sell_through_rate,
        with_turnover.closing_on_hand_qty,
        with_turnover.snapshot_days,
        with_turnover.stockout_days
    from with_turnover
    left join products
        on with_turnover.sku = products.sku

)

select * from final
order by "month", sku

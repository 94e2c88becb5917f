with

source as (

    select * from {{ source('raw', 'targets') }}

),

renamed as (

    select
        cast(date_trunc('month', "month") as date) as target_month,
        -- an empty platform is a target for the whole shop
        coalesce(nullif(trim(platform), ''), 'all') as platform,
        net_revenue_target,
        upper(currency) as currency,
        _loaded_at as loaded_at

    from source

)

select * from renamed

with

source as (

    select * from {{ source('raw', 'ads') }}

),

renamed as (

    select
        "date" as spend_date,
        ad_platform,
        account_id,
        campaign_id,
        campaign_name,
        spend,
        upper(currency) as currency,
        impressions,
        clicks,
        conversions as reported_conversions,
        conversion_value as reported_conversion_value,
        _loaded_at as loaded_at,
        -- the load that wrote the row: int_changed_days finds the days new ad rows touch
        _load_id as load_id

    from source

)

select * from renamed

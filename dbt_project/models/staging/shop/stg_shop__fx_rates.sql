with

source as (

    select * from {{ source('raw', 'fx_rates') }}

),

renamed as (

    select
        "date" as rate_date,
        upper(currency) as currency,
        rate,
        _loaded_at as loaded_at

    from source

)

select * from renamed

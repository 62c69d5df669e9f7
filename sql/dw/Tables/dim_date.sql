-- One calendar day, 2000-2035 (role-playing: call, report, event, referral, milestone dates). Key yyyymmdd; -1 is unknown.
CREATE TABLE [dw].[dim_date]
(
    [date_key] INT NOT NULL,
    [full_date] DATE NOT NULL,
    [year] SMALLINT NOT NULL,
    [quarter] SMALLINT NOT NULL,
    [month] SMALLINT NOT NULL,
    [month_name_es] NVARCHAR(12) NOT NULL,
    [month_short_es] NVARCHAR(4) NOT NULL,
    [year_month] CHAR(7) NOT NULL,
    [year_quarter] CHAR(7) NOT NULL,
    [day_of_month] SMALLINT NOT NULL,
    [day_of_year] SMALLINT NOT NULL,
    [day_of_week_iso] SMALLINT NOT NULL,
    [day_name_es] NVARCHAR(12) NOT NULL,
    [is_weekend] BIT NOT NULL,
    [iso_week] SMALLINT NOT NULL,
    [iso_year] SMALLINT NOT NULL,
    [fiscal_year] SMALLINT NOT NULL,
    [fiscal_quarter] SMALLINT NOT NULL,
    [first_day_of_month] DATE NOT NULL,
    CONSTRAINT [pk_dim_date] PRIMARY KEY ([date_key]),
    CONSTRAINT [uq_dim_date_full_date] UNIQUE ([full_date])
);

-- The funnel report's counts per case entry month and TIP flag, materialized from rpt.v_funnel_cases with
-- rpt.monthly_summary (same refresh, same source_stamp): for stage_order -1 the cases entered, for each stage (0 = call
-- .. 6 = prison) with days_from_previous NULL the cases that reached it, and for each stage after the first the cases that
-- reached it and the stage before, by the days between the two. The report sums them over its window and takes medians
-- from the day counts, instead of reading every case.
CREATE TABLE [rpt].[funnel_summary]
(
    [entry_year_month] CHAR(7) NOT NULL,
    [is_tip_related] BIT NULL,
    [stage_order] INT NOT NULL,
    [days_from_previous] INT NULL,
    [cases] BIGINT NOT NULL,
    [source_stamp] VARCHAR(200) NOT NULL
);

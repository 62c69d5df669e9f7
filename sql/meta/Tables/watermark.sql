-- The high-water mark of an incremental pipeline, advanced in the same transaction as the batch that reached it.
CREATE TABLE [meta].[watermark]
(
    [pipeline] VARCHAR(60) NOT NULL,
    [watermark_name] VARCHAR(60) NOT NULL,
    [watermark_value] NVARCHAR(100) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    [updated_at] DATETIME2(3) NOT NULL,
    CONSTRAINT [pk_watermark] PRIMARY KEY ([pipeline], [watermark_name])
);

-- Grain: one level of one comparison field of one link type: the Fellegi-Sunter m and u linkage scores with, kept so that incremental runs weigh new pairs as the last estimation did (re-estimated by a full run).
CREATE TABLE [meta].[linkage_model]
(
    [link_type] VARCHAR(30) NOT NULL,
    [field_index] INT NOT NULL,
    [field_name] VARCHAR(40) NOT NULL,
    [level] INT NOT NULL,
    [m] FLOAT NOT NULL,
    [u] FLOAT NOT NULL,
    [prior] FLOAT NOT NULL,
    [estimated] BIT NOT NULL,
    [iterations] INT NOT NULL,
    [pair_count] BIGINT NOT NULL,
    [settings] NVARCHAR(4000) NOT NULL,
    [estimated_at] DATETIME2(3) NOT NULL,
    [batch_id] BIGINT NOT NULL
);

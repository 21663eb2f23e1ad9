-- Gold that the sync copies incrementally: every serving table gains LastIngestedAt (the Eventhouse ingestion time of
-- the latest response behind the row, wall time), the new gold metrics get their tables, and the sync keeps its
-- high-water mark per table in GoldSyncWatermark. SyncedAt is written by the copy itself on insert and on update.
IF COL_LENGTH(N'serving.TestAccuracyHourly', N'LastIngestedAt') IS NULL
ALTER TABLE serving.TestAccuracyHourly ADD LastIngestedAt datetime2(7) NULL;
GO

IF COL_LENGTH(N'serving.ItemStatistics', N'LastIngestedAt') IS NULL
ALTER TABLE serving.ItemStatistics ADD LastIngestedAt datetime2(7) NULL;
GO

IF COL_LENGTH(N'serving.LearnerTestScores', N'LastIngestedAt') IS NULL
ALTER TABLE serving.LearnerTestScores ADD LastIngestedAt datetime2(7) NULL;
GO

IF COL_LENGTH(N'serving.KnowledgeTagMastery', N'LastIngestedAt') IS NULL
ALTER TABLE serving.KnowledgeTagMastery ADD LastIngestedAt datetime2(7) NULL;
GO

IF OBJECT_ID(N'serving.DailyActiveLearners', N'U') IS NULL
CREATE TABLE serving.DailyActiveLearners (
    DayStart datetime2(0) NOT NULL,
    Learners bigint NOT NULL,
    Responses bigint NOT NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_DailyActiveLearners_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_DailyActiveLearners PRIMARY KEY CLUSTERED (DayStart)
);
GO

IF OBJECT_ID(N'serving.WeeklyActiveLearners', N'U') IS NULL
CREATE TABLE serving.WeeklyActiveLearners (
    WeekStart datetime2(0) NOT NULL,
    Learners bigint NOT NULL,
    Responses bigint NOT NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_WeeklyActiveLearners_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_WeeklyActiveLearners PRIMARY KEY CLUSTERED (WeekStart)
);
GO

IF OBJECT_ID(N'serving.LateArrivalRatioHourly', N'U') IS NULL
CREATE TABLE serving.LateArrivalRatioHourly (
    HourStart datetime2(0) NOT NULL,
    Responses bigint NOT NULL,
    Late bigint NOT NULL,
    LateRatio float NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_LateArrivalRatioHourly_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_LateArrivalRatioHourly PRIMARY KEY CLUSTERED (HourStart)
);
GO

IF OBJECT_ID(N'serving.SessionStatisticsDaily', N'U') IS NULL
CREATE TABLE serving.SessionStatisticsDaily (
    DayStart datetime2(0) NOT NULL,
    Sessions bigint NOT NULL,
    AvgSessionMinutes float NULL,
    AvgResponsesPerSession float NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_SessionStatisticsDaily_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_SessionStatisticsDaily PRIMARY KEY CLUSTERED (DayStart)
);
GO

IF OBJECT_ID(N'serving.AccuracyByGradeDaily', N'U') IS NULL
CREATE TABLE serving.AccuracyByGradeDaily (
    Grade nvarchar(32) NOT NULL,
    TestId nvarchar(64) NOT NULL,
    DayStart datetime2(0) NOT NULL,
    Responses bigint NOT NULL,
    Correct bigint NOT NULL,
    Accuracy float NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_AccuracyByGradeDaily_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_AccuracyByGradeDaily PRIMARY KEY CLUSTERED (Grade, TestId, DayStart)
);
GO

IF OBJECT_ID(N'serving.KnowledgeTagMasteryDaily', N'U') IS NULL
CREATE TABLE serving.KnowledgeTagMasteryDaily (
    KnowledgeTag nvarchar(128) NOT NULL,
    DayStart datetime2(0) NOT NULL,
    Responses bigint NOT NULL,
    Correct bigint NOT NULL,
    Mastery float NULL,
    Learners bigint NOT NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_KnowledgeTagMasteryDaily_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_KnowledgeTagMasteryDaily PRIMARY KEY CLUSTERED (KnowledgeTag, DayStart)
);
GO

IF OBJECT_ID(N'serving.IngestionLagHourly', N'U') IS NULL
CREATE TABLE serving.IngestionLagHourly (
    HourStart datetime2(0) NOT NULL,
    Responses bigint NOT NULL,
    P50LagSeconds float NULL,
    P95LagSeconds float NULL,
    MaxLagSeconds float NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_IngestionLagHourly_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_IngestionLagHourly PRIMARY KEY CLUSTERED (HourStart)
);
GO

IF OBJECT_ID(N'serving.QuarantineRateHourly', N'U') IS NULL
CREATE TABLE serving.QuarantineRateHourly (
    HourStart datetime2(0) NOT NULL,
    Responses bigint NOT NULL,
    Quarantined bigint NOT NULL,
    QuarantineRate float NULL,
    LastIngestedAt datetime2(7) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_QuarantineRateHourly_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_QuarantineRateHourly PRIMARY KEY CLUSTERED (HourStart)
);
GO

-- The sync's state: per serving table, the LastIngestedAt up to which every changed gold row has been copied.
IF OBJECT_ID(N'serving.GoldSyncWatermark', N'U') IS NULL
CREATE TABLE serving.GoldSyncWatermark (
    TableName sysname NOT NULL,
    SyncedThrough datetime2(7) NOT NULL,
    UpdatedAt datetime2(3) NOT NULL CONSTRAINT DF_GoldSyncWatermark_UpdatedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_GoldSyncWatermark PRIMARY KEY CLUSTERED (TableName)
);
GO

-- Moves a table's mark forward only (a re-run with an older mark, or none, changes nothing).
CREATE OR ALTER PROCEDURE serving.AdvanceGoldSyncWatermark
    @TableName sysname,
    @SyncedThrough datetime2(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    IF @SyncedThrough IS NULL RETURN;
    MERGE serving.GoldSyncWatermark WITH (HOLDLOCK) AS target
    USING (SELECT @TableName AS TableName, @SyncedThrough AS SyncedThrough) AS source
    ON target.TableName = source.TableName
    WHEN MATCHED AND target.SyncedThrough < source.SyncedThrough THEN
        UPDATE SET SyncedThrough = source.SyncedThrough, UpdatedAt = SYSUTCDATETIME()
    WHEN NOT MATCHED THEN
        INSERT (TableName, SyncedThrough) VALUES (source.TableName, source.SyncedThrough);
END
GO

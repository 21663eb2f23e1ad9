-- One table per gold materialized view, same column names in the same order. The primary key is the view's
-- group-by key, so the pipeline's upsert (writeBehavior = upsert, keys = the primary key) matches one row per key.
-- SyncedAt records when the sync last wrote the row.
IF OBJECT_ID(N'serving.TestAccuracyHourly', N'U') IS NULL
CREATE TABLE serving.TestAccuracyHourly (
    TestId nvarchar(64) NOT NULL,
    HourStart datetime2(0) NOT NULL,
    Responses bigint NOT NULL,
    Correct bigint NOT NULL,
    Accuracy float NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_TestAccuracyHourly_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_TestAccuracyHourly PRIMARY KEY CLUSTERED (TestId, HourStart)
);
GO

IF OBJECT_ID(N'serving.ItemStatistics', N'U') IS NULL
CREATE TABLE serving.ItemStatistics (
    TestId nvarchar(64) NOT NULL,
    ItemId nvarchar(64) NOT NULL,
    Responses bigint NOT NULL,
    Correct bigint NOT NULL,
    CorrectRate float NULL,
    AvgElapsedSeconds float NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_ItemStatistics_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_ItemStatistics PRIMARY KEY CLUSTERED (TestId, ItemId)
);
GO

IF OBJECT_ID(N'serving.LearnerTestScores', N'U') IS NULL
CREATE TABLE serving.LearnerTestScores (
    LearnerId nvarchar(64) NOT NULL,
    TestId nvarchar(64) NOT NULL,
    Responses bigint NOT NULL,
    Correct bigint NOT NULL,
    Score float NULL,
    FirstResponseAt datetime2(3) NULL,
    LastResponseAt datetime2(3) NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_LearnerTestScores_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_LearnerTestScores PRIMARY KEY CLUSTERED (LearnerId, TestId)
);
GO

IF OBJECT_ID(N'serving.KnowledgeTagMastery', N'U') IS NULL
CREATE TABLE serving.KnowledgeTagMastery (
    KnowledgeTag nvarchar(128) NOT NULL,
    Responses bigint NOT NULL,
    Correct bigint NOT NULL,
    Mastery float NULL,
    Learners bigint NOT NULL,
    SyncedAt datetime2(3) NOT NULL CONSTRAINT DF_KnowledgeTagMastery_SyncedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_KnowledgeTagMastery PRIMARY KEY CLUSTERED (KnowledgeTag)
);
GO

-- Reports read per test over time, and per learner across tests.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_TestAccuracyHourly_HourStart' AND object_id = OBJECT_ID(N'serving.TestAccuracyHourly'))
CREATE NONCLUSTERED INDEX IX_TestAccuracyHourly_HourStart ON serving.TestAccuracyHourly (HourStart) INCLUDE (Responses, Correct, Accuracy);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_LearnerTestScores_TestId' AND object_id = OBJECT_ID(N'serving.LearnerTestScores'))
CREATE NONCLUSTERED INDEX IX_LearnerTestScores_TestId ON serving.LearnerTestScores (TestId) INCLUDE (Score, Responses);
GO

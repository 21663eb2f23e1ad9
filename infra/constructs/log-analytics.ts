import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { Construct } from "constructs";
import { isIntegerInRange, PropsValidation } from "./props-validation";

export interface PlatformLogAnalyticsProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * 30-730 days on PerGB2018.
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Daily ingestion cap in GB; -1 for none.
   * @default -1
   */
  readonly dailyQuotaGb?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The Log Analytics workspace every diagnostic setting and Application Insights writes to. */
export class PlatformLogAnalytics extends Construct {
  readonly workspace: LogAnalyticsWorkspace;

  constructor(scope: Construct, id: string, props: PlatformLogAnalyticsProps) {
    super(scope, id);
    const retention = props.retentionDays ?? 30;
    const quota = props.dailyQuotaGb ?? -1;
    const validation = new PropsValidation("PlatformLogAnalytics");
    validation.require(isIntegerInRange(retention, 30, 730), `retentionDays ${retention} must be an integer from 30 to 730`);
    validation.require(quota === -1 || quota > 0, `dailyQuotaGb ${quota} must be -1 (no cap) or positive`);
    validation.throwIfInvalid();

    this.workspace = new LogAnalyticsWorkspace(this, "workspace", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "PerGB2018",
      retentionInDays: retention,
      dailyQuotaGb: quota,
      localAuthenticationEnabled: false,
      tags: props.tags,
    });
  }
}

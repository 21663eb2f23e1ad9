import "cdktf/lib/testing/adapters/jest";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { FunctionAppFlexConsumption } from "@cdktf/provider-azurerm/lib/function-app-flex-consumption";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { ReplayFunctionApp, type ReplayFunctionAppProps } from "../../infra/constructs/replay-function-app";
import { AZURE_MONITOR_ACTION_GROUPS_APP_ID } from "../../functions/teams/alert-webhook-callers";
import { freshStack, resourcesOfType, synthesized } from "./synthesized";

const base: ReplayFunctionAppProps = {
  appName: "func-lrp-test-0001",
  planName: "asp-lrp-test-0001",
  applicationInsightsName: "appi-lrp-test-0001",
  resourceGroupName: "rg-test",
  location: "swedencentral",
  logAnalyticsWorkspaceId: "workspace-1",
  deploymentContainerUrl: "https://stlrptest0001.blob.core.windows.net/function-deployments",
  nodeVersion: "22",
  hostStorageAccountName: "stlrptest0001",
  appSettings: { EVENTHUB_NAME: "learner-responses" },
  webhookAuthentication: { clientId: "client-1", tenantId: "tenant-1" },
};

describe("ReplayFunctionApp", () => {
  test("runs on a Linux Flex Consumption (FC1) plan with Node from props", () => {
    const stack = freshStack();
    new ReplayFunctionApp(stack, "function-app", base);
    const { text } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(ServicePlan, { sku_name: "FC1", os_type: "Linux" });
    expect(text).toHaveResourceWithProperties(FunctionAppFlexConsumption, {
      runtime_name: "node",
      runtime_version: "22",
      instance_memory_in_mb: 2048,
      maximum_instance_count: 40,
      storage_container_type: "blobContainer",
      storage_container_endpoint: "https://stlrptest0001.blob.core.windows.net/function-deployments",
      storage_authentication_type: "SystemAssignedIdentity",
    });
  });

  test("is HTTPS only with a system-assigned identity, TLS 1.2 and no basic-auth publishing", () => {
    const stack = freshStack();
    new ReplayFunctionApp(stack, "function-app", base);
    const app = resourcesOfType(synthesized(stack).json, FunctionAppFlexConsumption.tfResourceType)[0];
    expect(app).toMatchObject({
      https_only: true,
      webdeploy_publish_basic_authentication_enabled: false,
      identity: { type: "SystemAssigned" },
      site_config: expect.objectContaining({ minimum_tls_version: "1.2", scm_minimum_tls_version: "1.2", remote_debugging_enabled: false }),
    });
    expect(app.storage_access_key).toBeUndefined();
  });

  test("sends telemetry with Entra auth: local auth off on App Insights and Monitoring Metrics Publisher for the app", () => {
    const stack = freshStack();
    new ReplayFunctionApp(stack, "function-app", base);
    const { text, json } = synthesized(stack);
    expect(text).toHaveResourceWithProperties(ApplicationInsights, { local_authentication_disabled: true, workspace_id: "workspace-1" });
    const app = resourcesOfType(json, FunctionAppFlexConsumption.tfResourceType)[0];
    expect(app.app_settings).toEqual({
      EVENTHUB_NAME: "learner-responses",
      AzureWebJobsStorage__accountName: "stlrptest0001",
      AzureWebJobsStorage__credential: "managedidentity",
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=AAD",
    });
    const assignments = resourcesOfType(json, "azurerm_role_assignment");
    expect(assignments).toEqual([
      expect.objectContaining({
        role_definition_name: "Monitoring Metrics Publisher",
        scope: expect.stringMatching(/^\$\{azurerm_application_insights\.function-app_application-insights_[0-9A-F]+\.id\}$/),
        principal_id: expect.stringMatching(/identity\[0\]\.principal_id\}$/),
      }),
    ]);
  });

  test("requires an Entra token for the alert webhook on every HTTP route", () => {
    const stack = freshStack();
    new ReplayFunctionApp(stack, "function-app", base);
    expect(synthesized(stack).text).toHaveResourceWithProperties(FunctionAppFlexConsumption, {
      auth_settings_v2: expect.objectContaining({
        auth_enabled: true,
        require_authentication: true,
        unauthenticated_action: "Return401",
        active_directory_v2: { client_id: "client-1", tenant_auth_endpoint: "https://login.microsoftonline.com/tenant-1/v2.0", allowed_audiences: ["api://client-1"], allowed_applications: [AZURE_MONITOR_ACTION_GROUPS_APP_ID] },
      }),
    });
  });

  test("fails when settings the Flex platform owns are given, and memory and scale are out of range", () => {
    expect(
      () =>
        new ReplayFunctionApp(freshStack(), "function-app", {
          ...base,
          instanceMemoryMb: 1024,
          maximumInstanceCount: 10,
          appSettings: { FUNCTIONS_WORKER_RUNTIME: "node", WEBSITE_RUN_FROM_PACKAGE: "1" },
        }),
    ).toThrow(/instanceMemoryMb 1024[\s\S]*maximumInstanceCount 10[\s\S]*FUNCTIONS_WORKER_RUNTIME[\s\S]*WEBSITE_RUN_FROM_PACKAGE/);
  });
});

describe("ReplayFunctionApp host storage and callers", () => {
  test("sets identity-based host storage as the Functions docs specify, with no AzureWebJobsStorage", () => {
    const stack = freshStack();
    new ReplayFunctionApp(stack, "function-app", base);
    const [app] = resourcesOfType(synthesized(stack).json, "azurerm_function_app_flex_consumption");
    const settings = app.app_settings as Record<string, string>;
    expect(settings).toEqual(expect.objectContaining({ AzureWebJobsStorage__accountName: "stlrptest0001", AzureWebJobsStorage__credential: "managedidentity" }));
    expect(settings).not.toHaveProperty("AzureWebJobsStorage");
  });

  test("fails when appSettings carries AzureWebJobsStorage, even empty", () => {
    expect(() => new ReplayFunctionApp(freshStack(), "function-app", { ...base, appSettings: { AzureWebJobsStorage: "" } })).toThrow(
      "appSettings.AzureWebJobsStorage must not be set: the host uses identity-based storage (AzureWebJobsStorage__accountName), and even an empty value makes it look for a connection string",
    );
  });

  test("fails when no client application is allowed", () => {
    expect(() => new ReplayFunctionApp(freshStack(), "function-app", { ...base, webhookAuthentication: { clientId: "client-1", tenantId: "tenant-1", allowedApplications: [] } })).toThrow(
      "webhookAuthentication.allowedApplications must name at least one client application",
    );
  });
});

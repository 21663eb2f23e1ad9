import { forTypes } from "../policy-rule";

function toNumber(ip: unknown): number {
  const parts = String(ip).split(".").map(Number);
  return parts.length === 4 && parts.every((part) => Number.isInteger(part) && part >= 0 && part <= 255) ? parts.reduce((sum, part) => sum * 256 + part, 0) : NaN;
}

/** Firewall rules open at most one /24 of addresses; 0.0.0.0-0.0.0.0 is Azure's "allow Azure services" rule. */
export const SqlFirewallNoPublicRange = forTypes(["azurerm_mssql_firewall_rule"], (resource) => {
  const start = toNumber(resource.body.start_ip_address);
  const end = toNumber(resource.body.end_ip_address);
  if (Number.isNaN(start) || Number.isNaN(end)) return false;
  if (start === 0 && end === 0) return true;
  return start > 0 && end >= start && end - start < 256;
});

import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Construct } from "constructs";
import { PropsValidation } from "./props-validation";

/** The privatelink zone of each private-endpoint sub-resource the platform uses (Azure public cloud). */
export const PRIVATE_DNS_ZONES = {
  blob: "privatelink.blob.core.windows.net",
  queue: "privatelink.queue.core.windows.net",
  table: "privatelink.table.core.windows.net",
  vault: "privatelink.vaultcore.azure.net",
  sqlServer: "privatelink.database.windows.net",
} as const;

export type PrivateEndpointSubresource = keyof typeof PRIVATE_DNS_ZONES;

export interface PrivateNetworkProps {
  readonly virtualNetworkName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** e.g. "10.40.0.0/24" */
  readonly addressSpace: string;
  /** Subnet for the Flex Consumption app's virtual network integration (delegated to Microsoft.App/environments). */
  readonly functionSubnetPrefix: string;
  readonly privateEndpointSubnetPrefix: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/;

/** A virtual network with a function-integration subnet, a private-endpoint subnet and privatelink DNS zones on demand. */
export class PrivateNetwork extends Construct {
  readonly virtualNetwork: VirtualNetwork;
  readonly functionSubnet: Subnet;
  readonly privateEndpointSubnet: Subnet;
  private readonly props: PrivateNetworkProps;
  private readonly zones = new Map<PrivateEndpointSubresource, PrivateDnsZone>();

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const validation = new PropsValidation("PrivateNetwork");
    for (const key of ["addressSpace", "functionSubnetPrefix", "privateEndpointSubnetPrefix"] as const) {
      validation.require(CIDR.test(props[key]), `${key} "${props[key]}" must be an IPv4 CIDR range such as 10.40.0.0/24`);
    }
    validation.require(props.functionSubnetPrefix !== props.privateEndpointSubnetPrefix, "functionSubnetPrefix and privateEndpointSubnetPrefix must be different ranges");
    validation.throwIfInvalid();
    this.props = props;
    this.virtualNetwork = new VirtualNetwork(this, "vnet", {
      name: props.virtualNetworkName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: [props.addressSpace],
      tags: props.tags,
    });
    this.functionSubnet = new Subnet(this, "function-subnet", {
      name: "snet-function",
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: this.virtualNetwork.name,
      addressPrefixes: [props.functionSubnetPrefix],
      delegation: [{ name: "flex-consumption", serviceDelegation: { name: "Microsoft.App/environments", actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"] } }],
    });
    this.privateEndpointSubnet = new Subnet(this, "private-endpoint-subnet", {
      name: "snet-private-endpoints",
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: this.virtualNetwork.name,
      addressPrefixes: [props.privateEndpointSubnetPrefix],
    });
  }

  /** A private endpoint for one sub-resource of `resourceId`, registered in its privatelink zone. */
  addPrivateEndpoint(id: string, name: string, resourceId: string, subresource: PrivateEndpointSubresource): PrivateEndpoint {
    return new PrivateEndpoint(this, id, {
      name,
      resourceGroupName: this.props.resourceGroupName,
      location: this.props.location,
      subnetId: this.privateEndpointSubnet.id,
      privateServiceConnection: { name, privateConnectionResourceId: resourceId, subresourceNames: [subresource], isManualConnection: false },
      privateDnsZoneGroup: { name: "default", privateDnsZoneIds: [this.zone(subresource).id] },
      tags: this.props.tags,
    });
  }

  private zone(subresource: PrivateEndpointSubresource): PrivateDnsZone {
    let zone = this.zones.get(subresource);
    if (!zone) {
      zone = new PrivateDnsZone(this, `zone-${subresource}`, { name: PRIVATE_DNS_ZONES[subresource], resourceGroupName: this.props.resourceGroupName, tags: this.props.tags });
      new PrivateDnsZoneVirtualNetworkLink(this, `zone-link-${subresource}`, {
        name: `link-${subresource}`,
        resourceGroupName: this.props.resourceGroupName,
        privateDnsZoneName: zone.name,
        virtualNetworkId: this.virtualNetwork.id,
        registrationEnabled: false,
        tags: this.props.tags,
      });
      this.zones.set(subresource, zone);
    }
    return zone;
  }
}

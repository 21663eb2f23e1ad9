import { PRIVILEGED_ROLE_NAMES } from "../../roles";
import { forTypes } from "../policy-rule";

/** Role assignments use narrow data roles by name; no owner, contributor or access-administration roles. */
export const RoleAssignmentNotPrivileged = forTypes(
  ["azurerm_role_assignment"],
  (resource) => typeof resource.body.role_definition_name === "string" && !PRIVILEGED_ROLE_NAMES.includes(resource.body.role_definition_name),
);

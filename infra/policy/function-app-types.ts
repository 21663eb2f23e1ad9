/** Every azurerm function app resource type the function rules inspect. */
export const FUNCTION_APP_TYPES: readonly string[] = ["azurerm_function_app_flex_consumption", "azurerm_linux_function_app", "azurerm_windows_function_app"];

// The contacts module's public surface for other features (templates, reminders, sends).
export {
  createContact,
  getContact,
  getContactByExternalId,
  listContacts,
  tenantDefaultCountry,
  toContactOut,
  updateContact,
  upsertContactByExternalId,
} from "./contacts";
export { normalizePhone } from "./phone";
export {
  getContactSubscriptions,
  setContactSubscription,
  subscriptionBlockOf,
  subscriptionBlocks,
  unsubscribedError,
  type SetContactSubscriptionInput,
  type SubscriptionBlock,
} from "./subscriptions";

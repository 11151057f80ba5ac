// The public API of @contextlog/ai-sdk: durable chat persistence for the Vercel AI SDK, each chat
// a contextlog session whose messages are `UIMessage`s (the `ai-sdk-ui` dialect).
// `openChatStore` keeps chats in a directory or a PostgreSQL table; the dialect, the save planner
// and the chat-id file names are its building blocks.

export {
  CHAT_FILE_EXTENSION,
  chatFileName,
  chatIdOfFileName,
  decodeChatId,
  encodeChatId,
  MAX_ENCODED_CHAT_ID_LENGTH,
} from './chat-id.js';
export { aiSdkUiDialect } from './dialect/ai-sdk-ui-dialect.js';
export { type UiMessage, type UiMessagePart, UiMessageSchema } from './dialect/ui-message.js';
export {
  ChatStoreClosedError,
  DuplicateMessageIdError,
  EmptyMessageIdError,
  InvalidChatIdError,
} from './errors.js';
export { jsonEqual } from './save/json-equal.js';
export { type PlanSaveOptions, planSave, type SavePlan } from './save/plan-save.js';
export type { ChatSummary } from './store/backend.js';
export {
  type ChatStore,
  type ChatStoreOptions,
  type DirChatStoreOptions,
  openChatStore,
  type PgChatStoreOptions,
  type SaveChatOptions,
  type SaveChatResult,
} from './store/chat-store.js';
export { type ChatPgClient, DEFAULT_CHAT_TABLE } from './store/pg-options.js';
export type { SaveKind } from './store/save-chat.js';

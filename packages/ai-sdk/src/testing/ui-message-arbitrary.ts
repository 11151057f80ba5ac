import fc from 'fast-check';
import type { UiMessage, UiMessagePart } from '../dialect/ui-message.js';

/** Text as chats hold it: mostly plain, regularly odd (emoji, CJK, controls, lone surrogates). */
function arbText(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '👩‍👩‍👧‍👦 漢字', '\u0000\u2028\ufeff', 'a\ud800b', '"\\'),
    },
  );
}

const arbJson = () => fc.jsonValue({ maxDepth: 2 });
const arbName = () => fc.constantFrom('weather', 'search', 'get_time', 'x-y', 'tool_1');
const arbId = () => fc.string({ minLength: 1, maxLength: 12 });

/** Keys a newer SDK (or the application) may add: kept by the dialect, so generated too. */
const arbExtraKeys = () =>
  fc.dictionary(fc.constantFrom('providerMetadata', 'x-extra', 'title', 'createdAt'), arbJson(), {
    maxKeys: 2,
  });

const withExtras = <T extends object>(part: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.tuple(part, arbExtraKeys()).map(([value, extra]) => ({ ...extra, ...value }));

const arbToolState = () =>
  fc.oneof(
    fc.record(
      { state: fc.constant('input-streaming'), input: arbJson() },
      { requiredKeys: ['state'] },
    ),
    fc.record({ state: fc.constant('input-available'), input: arbJson() }),
    fc.record({ state: fc.constant('output-available'), input: arbJson(), output: arbJson() }),
    fc.record({ state: fc.constant('output-error'), input: arbJson(), errorText: arbText() }),
  );

/** One part of every kind the AI SDK makes, and one of a kind it may make later. */
export function arbUiMessagePart(): fc.Arbitrary<UiMessagePart> {
  const state = fc.constantFrom('streaming', 'done');
  return withExtras<UiMessagePart>(
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ type: fc.constant('text'), text: arbText(), state }) },
      {
        weight: 2,
        arbitrary: fc.record(
          { type: fc.constant('reasoning'), text: arbText(), state },
          { requiredKeys: ['type', 'text'] },
        ),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(arbName(), arbId(), arbToolState())
          .map(([name, toolCallId, toolState]) => ({
            type: `tool-${name}`,
            toolCallId,
            ...toolState,
          })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(arbName(), arbId(), arbToolState())
          .map(([toolName, toolCallId, toolState]) => ({
            type: 'dynamic-tool',
            toolName,
            toolCallId,
            ...toolState,
          })),
      },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            type: fc.constant('source-url'),
            sourceId: arbId(),
            url: fc.webUrl(),
            title: arbText(),
          },
          { requiredKeys: ['type', 'sourceId', 'url'] },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            type: fc.constant('source-document'),
            sourceId: arbId(),
            mediaType: fc.constantFrom('application/pdf', 'text/plain'),
            title: arbText(),
            filename: arbText(),
          },
          { requiredKeys: ['type', 'sourceId', 'mediaType', 'title'] },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            type: fc.constant('file'),
            mediaType: fc.constantFrom('image/png', 'text/plain', 'image'),
            url: fc.oneof(fc.webUrl(), fc.constant('data:text/plain;base64,aGk=')),
            filename: arbText(),
          },
          { requiredKeys: ['type', 'mediaType', 'url'] },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.record(
          { type: arbName().map((name) => `data-${name}`), id: arbId(), data: arbJson() },
          { requiredKeys: ['type', 'data'] },
        ),
      },
      { weight: 1, arbitrary: fc.constant({ type: 'step-start' }) },
      {
        weight: 1,
        arbitrary: fc.record({ type: fc.constant('x-future-part'), payload: arbJson() }),
      },
    ),
  );
}

export interface ArbUiMessageOptions {
  /** The id, or how to make it (default: a short non-empty string). */
  readonly id?: fc.Arbitrary<string>;
}

/** One `UIMessage` as JSON data: an id, a role, parts of any kind, maybe metadata and extra keys. */
export function arbUiMessage(options: ArbUiMessageOptions = {}): fc.Arbitrary<UiMessage> {
  return fc
    .tuple(
      fc.record(
        {
          id: options.id ?? arbId(),
          role: fc.constantFrom('system', 'user', 'assistant'),
          parts: fc.array(arbUiMessagePart(), { maxLength: 5 }),
          metadata: arbJson(),
        },
        { requiredKeys: ['id', 'role', 'parts'] },
      ),
      fc.dictionary(fc.constantFrom('createdAt', 'x-app'), arbJson(), { maxKeys: 1 }),
    )
    .map(([message, extra]) => ({ ...extra, ...message }));
}

export interface ArbUiMessagesOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** A chat's messages: ids unique in the list, as a chat store requires. */
export function arbUiMessages(options: ArbUiMessagesOptions = {}): fc.Arbitrary<UiMessage[]> {
  return fc.uniqueArray(arbUiMessage(), {
    minLength: options.minLength ?? 0,
    maxLength: options.maxLength ?? 8,
    selector: (message) => message.id,
  });
}

import { ContextlogError } from '@contextlog/core';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    KIMI_EXPORT_UNSUPPORTED: KimiExportError;
  }
}

/**
 * `exportKimiSession` refused: the session holds something kimi-cli cannot hold (a part type it
 * does not know, checkpoint numbering its restore cannot give back …). Nothing was written.
 */
export class KimiExportError extends ContextlogError {
  readonly code = 'KIMI_EXPORT_UNSUPPORTED';
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: cannot export as a kimi-cli context.jsonl: ${reason}; nothing was written`);
  }
}

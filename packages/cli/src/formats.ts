import { contextlogFormat, type SessionFormat } from '@contextlog/fs-adapter';
import { kimiFormat } from '@contextlog/kimi';

/**
 * The session formats the command line reads, in the order detection asks them. A format's
 * package adds its entry here (and, by convention, an `import-<name>` command that converts its
 * files into contextlog sessions, which refusals name).
 */
export const FORMATS: readonly SessionFormat[] = [contextlogFormat, kimiFormat];

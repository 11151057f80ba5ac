export function chatTurns(k: number): Array<{
  id: string;
  role: 'user' | 'assistant';
  parts: Array<{ type: string; text: string }>;
}>;

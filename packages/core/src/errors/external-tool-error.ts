import { MetalayerError } from './metalayer-error';

const name = 'MetalayerExternalToolError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A program metalayer runs (sbsign, mkfs.ext4, ...) is missing or failed. */
export class ExternalToolError extends MetalayerError {
  private readonly [symbol] = true;
  readonly tool: string;
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor({
    tool,
    exitCode,
    stderr,
    message,
    cause,
    hint,
  }: {
    tool: string;
    exitCode?: number | null;
    stderr?: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    const detail = stderr?.trim().split('\n').slice(-3).join(' | ');
    super({
      name,
      message: message ?? `${tool} failed${exitCode == null ? '' : ` (exit ${exitCode})`}${detail ? `: ${detail}` : ''}`,
      cause,
      hint,
    });
    this.tool = tool;
    this.exitCode = exitCode ?? null;
    this.stderr = stderr ?? '';
  }

  static override isInstance(error: unknown): error is ExternalToolError {
    return MetalayerError.hasMarker(error, marker);
  }
}

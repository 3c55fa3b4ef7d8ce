/**
 * Reading the transactor's output as it comes: splits it into lines and notes "System started",
 * "Terminating process - ..." and Datomic's missing-property message (docs/datomic-storage.md §4).
 */

export const SYSTEM_STARTED = /\bSystem started\b/;
export const TERMINATING = /Terminating process - /;
export const CRITICAL = /Critical failure, cannot continue/;
export const MISSING_PROPERTY = /:db\.error\/missing-transactor-property '([^']+)'/;

export class OutputScanner {
  lines: string[] = [];
  private partial = '';
  systemStarted = false;
  fatal: string | null = null;
  missingProperty = false;

  feed(text: string): string[] {
    if (!text) return [];
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const l of parts) this.inspect(l);
    return parts;
  }

  flush(): void {
    if (this.partial) {
      this.inspect(this.partial);
      this.partial = '';
    }
  }

  private inspect(l: string): void {
    this.lines.push(l);
    if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
    if (SYSTEM_STARTED.test(l)) this.systemStarted = true;
    if (TERMINATING.test(l) || CRITICAL.test(l)) this.fatal ??= l;
    if (MISSING_PROPERTY.test(l)) {
      this.missingProperty = true;
      this.fatal ??= l;
    }
  }
}

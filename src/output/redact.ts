// The last line of defence for secrets: every byte dirlink writes (stdout, stderr, JSON, files)
// passes through a Redactor that knows the secret values of this run. The code above it is
// written never to print a secret; this catches what a library might echo back (an error
// message quoting a request body, say).

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret; very short values are ignored so that ordinary words are not blanked. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) {
      this.secrets.add(secret);
      // the forms a secret takes in URLs and JSON
      this.secrets.add(encodeURIComponent(secret));
      this.secrets.add(JSON.stringify(secret).slice(1, -1));
    }
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      if (s && out.includes(s)) out = out.split(s).join('********');
    }
    return out;
  }
}

// The small types every options section shares. A leaf: it imports nothing, so no section's
// import of it can close a cycle through config/.

/** One thing wrong with the options: which option, and a sentence that says what to do. */
export interface OptionProblem {
  readonly option: string;
  readonly message: string;
}

/** What parsing needs to know about where the app runs. */
export interface OptionContext {
  /** SUPERVISOR_TOKEN is set: Home Assistant (its event bus, speech-to-text) can be reached. */
  readonly supervisorAvailable: boolean;
  /** Where this app itself answers, so a webhook_url pointing back at it is refused. */
  readonly ownAddress?: { readonly hosts: readonly string[]; readonly ports: readonly number[] };
}

/** One model of the embedded catalogue: its Hub id, other ids it answers to, and its recorded config. */
export interface CatalogueEntry {
  id: string;
  aliases: readonly string[];
  /** Where the recorded config was copied from. */
  source: string;
  config: Record<string, unknown>;
}

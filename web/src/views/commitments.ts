// "Commitments" (#/commitments): the follow-up list of the talks register
// (BilateralService.ListCommitments): open commitments by due day, overdue ones marked, then the
// closed ones; by country, open ones only if asked, page by page. An open one is closed from here
// with a note (CloseCommitment).
import type { Commitment } from "../gen/consular/v1/statistics_pb";
import { countryOptions } from "../countries";
import { h, type Child } from "../dom";
import { errorMessage, isAbort } from "../errors";
import { t, tPlural } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { buildListCommitmentsRequest } from "../register/talks";
import { CommitmentCloser } from "./commitment-list";
import { checkboxField, selectField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export class CommitmentsView extends BaseView {
  private country = "";
  private openOnly = true;
  private commitments: Commitment[] | undefined;
  private next = "";
  private loading = false;
  private error: unknown;
  private readonly closer: CommitmentCloser;

  constructor(private readonly ctx: AppContext) {
    super();
    this.closer = new CommitmentCloser(ctx, this.abort.signal, () => this.render(), (c) => {
      // Closed ones leave the list of open ones; otherwise they stay with their new state.
      this.commitments = this.openOnly ? this.commitments?.filter((x) => x.id !== c.id) : this.commitments?.map((x) => (x.id === c.id ? c : x));
    });
    this.render();
    void this.load("");
  }

  title(): string {
    return t("commitments.title");
  }

  private async load(pageToken: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = buildListCommitmentsRequest(this.country, this.openOnly, pageToken);
      const response = await withRetry(() => this.ctx.clients.bilateral.listCommitments(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.commitments = pageToken ? [...(this.commitments ?? []), ...response.commitments] : response.commitments;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("commitments.loaded", this.commitments.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  protected build(): Child[] {
    const countries = countryOptions().map((c) => ({ value: c.code, label: c.name }));
    return [
      h("p", null, h("a", { href: "#/talks", id: "commitments-back" }, t("talk.back"))),
      h("h1", { tabindex: -1 }, t("commitments.title")),
      h("p", { class: "lead" }, t("commitments.intro")),
      h(
        "form",
        {
          id: "commitments-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.load("");
          },
        },
        selectField({
          id: "commitments-country",
          label: t("commitments.country"),
          value: this.country,
          placeholder: t("talks.anyCountry"),
          choices: countries,
          onValue: (v) => {
            this.country = v;
          },
        }),
        checkboxField({
          id: "commitments-open-only",
          label: t("commitments.openOnly"),
          checked: this.openOnly,
          onValue: (v) => {
            this.openOnly = v;
          },
        }),
        h("button", { type: "submit", id: "commitments-filter" }, t("talks.filter")),
      ),
      this.error !== undefined
        ? loadFailure("commitments-retry", this.error, () => void this.load(""))
        : null,
      this.commitments === undefined
        ? this.loading
          ? h("p", { class: "loading" }, t("common.loading"))
          : null
        : this.closer.table("commitments-table", t("commitments.caption"), this.commitments, true),
      this.next && !this.loading
        ? moreButton("commitments-more", t("talks.loadMore"), () => void this.load(this.next))
        : null,
    ];
  }
}

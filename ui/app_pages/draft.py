"""Draft policy: the recommended clauses for this institution's gaps, previewed and downloadable."""

from __future__ import annotations

import streamlit as st

from engine import INSTITUTION_PLACEHOLDER, _, fill_institution, left_out_groups, source_notes, warning_lines
from ui import services
from ui.downloads import DOCX_MIME, draft_files, make_draft
from ui.text import md_escape, slug

ruleset = services.ruleset_or_stop()
st.title(_("Draft policy"))
inst, report = services.report_or_stop(ruleset)

draft = make_draft(ruleset, report)
st.markdown(
    _(
        "The model clauses for every control that fails or only partly passes, assembled into one draft with "
        "your institution's name filled in. Preview it here, then download it to edit in Word or any text editor."
    )
)
st.warning(
    _(
        "Draft, not legal advice. Words in [square brackets] are placeholders to replace. "
        "Have a lawyer licensed in your state review the policy before it is adopted."
    )
)
for line in warning_lines(draft):
    st.error(_("**Warning — state law.** {warning}").format(warning=md_escape(line)))
if draft.state_note:
    st.info(_("**State law:** {note}").format(note=md_escape(draft.state_note)))
if not inst.get("name"):
    st.info(
        _("Your institution has no name yet, so the draft says {placeholder}. Add it in the self-assessment.").format(
            placeholder=_(INSTITUTION_PLACEHOLDER)
        )
    )

files = draft_files(draft)
name = slug(inst.get("name") or "")
col_docx, col_md = st.columns(2)
col_docx.download_button(
    _("Download draft (Word .docx)"), files["docx"], f"{name}-draft-policy.docx", DOCX_MIME, key="dl_draft_docx",
    on_click="ignore", type="primary",
)  # fmt: skip
col_md.download_button(
    _("Download draft (Markdown)"), files["markdown"], f"{name}-draft-policy.md", "text/markdown", key="dl_draft_md",
    on_click="ignore",
)  # fmt: skip

st.header(_("Preview"))
st.subheader(md_escape(draft.title), anchor=False)  # no link made of user text
st.caption(md_escape(draft.disclaimer))
if not draft.sections:
    st.success(_("No gaps with a recommended clause were found, so there is nothing to draft yet."))
safe_name = md_escape(draft.institution_name)
number = 0
for _component, title, sections in draft.components:
    st.markdown(f"### {md_escape(title)}")
    for section in sections:
        number += 1
        with st.container(border=True):
            st.markdown(f"**{number}. {md_escape(section.title)}**")
            # The template is reviewed rules text (Markdown); only the institution's name is user text.
            st.markdown(fill_institution(section.template, safe_name))
            # Plain words only: the downloaded draft has no internal ids either.
            st.caption(
                md_escape(
                    _("Closes the gap: {controls}. Sources: {sources}").format(
                        controls="; ".join(c.title for c in section.controls),
                        sources="; ".join(c["title"] for c in section.citations),
                    )
                )
            )
for heading, items in left_out_groups(draft):
    with st.container(key=f"left_out_{slug(heading)}"):
        st.markdown(f"### {md_escape(heading)}")
        st.markdown(
            "\n".join(
                _("- **{title}** (for: {controls}). {why}").format(
                    title=md_escape(item.title),
                    controls=md_escape("; ".join(c.title for c in item.controls)),
                    why=md_escape(item.why),
                )
                for item in items
            )
        )
if draft.not_answered:
    st.markdown("### " + _("Not yet assessed"))
    st.markdown(
        _("Answer the questions for these controls to complete the draft:")
        + "\n"
        + "\n".join(f"- {md_escape(c.title)}" for c in draft.not_answered)
    )
if draft.sources:
    with st.expander(_("Sources ({count})").format(count=len(draft.sources))):
        st.markdown(
            "\n".join(
                f"- {md_escape(c['title'])}, {md_escape(c.get('publisher') or '')} "
                f"({md_escape('; '.join(source_notes(c)))})  \n  `{c['url']}`"
                for c in draft.sources
            )
        )

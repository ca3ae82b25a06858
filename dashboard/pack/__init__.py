"""The monthly review pack (`pmo report`): the month's figures as presented (a frozen month) or live, laid out as
one self-contained HTML file, a PDF or an editable PPTX. `content` says what the pack holds, `render` lays it out,
`write` writes it to a file, and `download` is the overview's button, which runs `pmo report` in a process of its
own (so the dashboard server never loads the renderers)."""

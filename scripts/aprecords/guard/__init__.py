"""The leak guard: nothing an audience must not see reaches its site, however it is spelt.

Modules, in the order the guard uses them:

* :mod:`~aprecords.guard.normal`: the one normal form (a letters-and-digits stream) applied
  alike to what is looked for and to what is read; :mod:`~aprecords.guard.codepoints`, the code
  points it removes and the loader refuses;
* :mod:`~aprecords.guard.names` and :mod:`~aprecords.guard.plan`: what one audience's check
  looks for (needles), and a warning for each value it cannot look for;
* :mod:`~aprecords.guard.match`: needles and the matcher (where each counts as found);
* :mod:`~aprecords.guard.formats`: what each output file yields as text;
* :mod:`~aprecords.guard.scan`: the check of one built site, and its report;
* :mod:`~aprecords.guard.shared` and :mod:`~aprecords.guard.images`: the texts every audience
  is shown (help pages, configuration), and which files may be help pages at all.

The site builder calls :func:`aprecords.guard.scan.check_audience` for every audience and
:func:`aprecords.guard.shared.check_help_pages` once, before anything is written.
"""

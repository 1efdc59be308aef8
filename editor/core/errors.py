"""The core's failures, all under one base class.

Every failure the core reports to a person derives from `EditorError`, and its text is the
message to show (it names the file or value and the fault). The editor and the CLI catch
`EditorError` (or one of its subclasses) and never a bare ValueError, which would also swallow
programming errors.

The subclasses live beside the code that raises them:

- reading and writing: plistio.ProfileReadError, plistio.ProfileWriteError,
  plistxml.PlistXMLError, plistbinary.BinaryPlistError, plistlimits.TreeLimitError
- CMS, signing and encryption: cms.CMSError, signing.SigningError,
  encryption.EncryptionError, certificates.CertificateError
- data shipped with the editor: schema.SchemaError, channels.ChannelDataError
- workflows: fixes.FixError, render.RenderError, importers.ConfigImportError,
  fragments.PayloadNotFoundError
- `InvalidValueError` below: a value or request the core refuses as given.

Some subclasses are also ValueErrors, as plistlib's own errors are, so code written for the
standard library keeps working.
"""

from __future__ import annotations


class EditorError(Exception):
    """A failure to show to a person: str(error) is the whole message."""


class InvalidValueError(EditorError, ValueError):
    """A value or request the core refuses as given: text that is no platform or version, a
    connection request the presets cannot build, a value a plist cannot hold."""

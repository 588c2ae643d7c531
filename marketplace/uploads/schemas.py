"""The uploads API's answer."""
from ..core.schema import Answer


class UploadOut(Answer):
    id: int
    name: str
    size: int
    content_type: str
    public: bool

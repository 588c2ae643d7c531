"""Catalog services, by sub-entity: listings (rules, commands, lifecycle), queries (what the public
and the review queue see), revisions (edits of published listings awaiting review) and photos."""
from ..states import LIFECYCLE  # noqa: F401
from .listings import (  # noqa: F401
    COMMON_FIELDS,
    MAX_ID,
    TRANSITIONS,
    allowed_actions,
    apply_values,
    archive_resource,
    can_edit,
    can_view,
    create_resource,
    get_resource,
    publish_resource,
    reject_resource,
    submit_resource,
    take_offline,
    transition,
    update_resource,
)
from .photos import add_photos, max_photos, move_photo, photos, remove_photo, thumbnail_id, thumbnail_ids  # noqa: F401
from .queries import (  # noqa: F401
    counts_by_city,
    counts_by_type,
    filter_args,
    list_public,
    load_card_prices,
    moderation_queue,
    newest,
    next_in_queue,
    org_resources,
    public_query,
    review_queue,
    to_dict,
)
from .revisions import (  # noqa: F401
    allowed_revision_actions,
    decide,
    diff,
    edited_values,
    get_revision,
    latest_revision,
    latest_revision_states,
    pending_revision,
    pending_revisions,
    split_material,
)
from .revisions import may_see as may_see_revision  # noqa: F401

"""The screens of the council (`council`), the plan (`plan`) and the nội hàm worksheet (`worksheet`), routed by
`council.urls`; what they share is in `_common`."""

//! TEMPORARY stand-in until the auth branch merges: the caller of a request.

/// Who is calling, inserted into every request's data by the router.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub user: Option<AuthUser>,
}

/// An authenticated account as permissions see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub permissions: Vec<String>,
}

impl Caller {
    pub fn user(&self) -> Option<&AuthUser> {
        self.user.as_ref()
    }
    pub fn is_authenticated(&self) -> bool {
        self.user.is_some()
    }
    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_staff)
    }
    pub fn has_perm(&self, codename: &str) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.is_superuser || u.permissions.iter().any(|p| p == codename))
    }
}

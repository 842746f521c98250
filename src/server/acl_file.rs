//! ACLLoadUsersAtStartup's file part: with `aclfile` set, the users come from that file
//! (read through the storage) before the server serves anyone; `user` lines in the
//! configuration as well are refused, as Redis refuses them.

use super::event_loop::EventLoop;
use crate::net::Poller;
use crate::server::log::Level;

impl<P: Poller> EventLoop<P> {
    /// Loads `aclfile` if it is set. The error (already logged) means the binary exits 1.
    pub fn load_acl_file(&mut self) -> Result<(), String> {
        let file = self.state.config.get("aclfile").unwrap_or_default();
        if file.is_empty() {
            return Ok(());
        }
        if !self.state.config.acl_users.is_empty() {
            let message = "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".to_string();
            self.log(Level::Warning, &message);
            return Err(message);
        }
        let pubsub_all = crate::acl::pubsub_default_all(&self.state.config);
        match crate::cmd::acl_cmd::load_acl_file(&mut *self.storage, &file, pubsub_all) {
            Ok(users) => {
                self.state.acl.users = users;
                Ok(())
            }
            Err(errors) => {
                let message = format!("Aborting Redis startup because of ACL errors: {errors}");
                self.log(Level::Warning, &message);
                Err(message)
            }
        }
    }
}

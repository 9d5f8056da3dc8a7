// src/lib.rs
use querymt::plugin::extism_impl::impl_extism_http_plugin;
use querymt::chat::http::HTTPChatProvider; // Traits for HTTP provider logic
use querymt::completion::http::HTTPCompletionProvider;
use querymt::embedding::http::HTTPEmbeddingProvider;
use querymt::plugin::http::HTTPLLMProviderFactory; // Trait for factory logic
use querymt::{CompletionRequest, CompletionResponse, ChatMessage, ChatResponse, Tool, ToolCall};
use serde::{Serialize, Deserialize};

// 1. Define your plugin's configuration structure
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct MyPluginConfig {
    pub api_key: String,
    pub model_name: Option<String>,
    #[serde(default = "default_base_url")]
    pub base_url: String,
}

fn default_base_url() -> String {
    "https://api.examplellm.com/v1".to_string()
}

// Implement default for config if needed by the factory or for simplicity
impl Default for MyPluginConfig {
    fn default() -> Self {
        Self {
            api_key: String::new(), // Typically fetched from env var specified by api_key_name
            model_name: Some("default-model".to_string()),
            base_url: default_base_url(),
        }
    }
}

// 2. Implement the necessary provider traits for your config
// These traits define how to construct HTTP requests and parse responses.

// This is a marker struct for your factory implementation
struct MyPluginFactory;

impl HTTPLLMProviderFactory for MyPluginFactory {
    // Implement methods like api_key_name(), list_models_request(), parse_list_models()
    // For example:
    fn api_key_name(&self) -> Option<String> {
        Some("EXAMPLE_LLM_API_KEY".to_string())
    }

    fn list_models_request(&self, cfg: &serde_json::Value) -> Result<http::Request<Vec<u8>>, querymt::error::LLMError> {
        let config: MyPluginConfig = serde_json::from_value(cfg.clone())?;
        let request = http::Request::builder()
            .method("GET")
            .uri(format!("{}/models", config.base_url))
            .header("Authorization", format!("Bearer {}", config.api_key))
            .body(Vec::new())?;
        Ok(request)
    }

    fn parse_list_models(&self, _resp: http::Response<Vec<u8>>) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        // Parse the HTTP response body (e.g., JSON) into Vec<String>
        // Example:
        // let body = serde_json::from_slice::<serde_json::Value>(resp.body())?;
        // let models = body["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
        // Ok(models)
        Ok(vec!["example-model-1".to_string(), "example-model-2".to_string()])
    }
}

impl HTTPChatProvider for MyPluginConfig {
    // Implement chat_request() and parse_chat()
    fn chat_request(
        &self,
        messages: &[ChatMessage],
        _tools: Option<&[Tool]>,
    ) -> Result<http::Request<Vec<u8>>, querymt::error::LLMError> {
        let body = serde_json::json!({
            "model": self.model_name.as_deref().unwrap_or("default-model"),
            "messages": messages,
            // Add tools if your API supports them
        });
        let request = http::Request::builder()
            .method("POST")
            .uri(format!("{}/chat/completions", self.base_url))
            .header("Authorization", format!("Bearer {}", self.api_key))
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body)?)?;
        Ok(request)
    }

    fn parse_chat(
        &self,
        resp: http::Response<Vec<u8>>,
    ) -> Result<Box<dyn ChatResponse>, querymt::error::LLMError> {
        // Parse the HTTP response and adapt it to Box<dyn ChatResponse>
        // Example:
        // let body = serde_json::from_slice::<serde_json::Value>(resp.body())?;
        // let text = body["choices"][0]["message"]["content"].as_str().map(String::from);
        // Ok(Box::new(querymt::plugin::extism_impl::ExtismChatResponse { text, tool_calls: None, thinking: None }))
        struct MyChatResponse { text: Option<String> }
        impl ChatResponse for MyChatResponse {
            fn text(&self) -> Option<String> { self.text.clone() }
            fn tool_calls(&self) -> Option<Vec<ToolCall>> { None }
            fn thinking(&self) -> Option<String> { None }
        }
        Ok(Box::new(MyChatResponse { text: Some(String::from_utf8_lossy(resp.body()).to_string()) }))
    }
}

// Implement HTTPEmbeddingProvider and HTTPCompletionProvider similarly if needed...
impl HTTPEmbeddingProvider for MyPluginConfig {
    fn embed_request(&self, inputs: &[String]) -> Result<http::Request<Vec<u8>>, querymt::error::LLMError> {
        // ... construct embedding request ...
        let body = serde_json::json!({ "inputs": inputs });
        let request = http::Request::builder()
            .method("POST")
            .uri(format!("{}/embeddings", self.base_url))
            .header("Authorization", format!("Bearer {}", self.api_key))
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body)?)?;
        Ok(request)
    }

    fn parse_embed(&self, resp: http::Response<Vec<u8>>) -> Result<Vec<Vec<f32>>, querymt::error::LLMError> {
        // ... parse embedding response ...
        // Example: let embeddings = serde_json::from_slice(resp.body())?;
        // Ok(embeddings)
        Ok(serde_json::from_slice(resp.body())?)
    }
}

impl HTTPCompletionProvider for MyPluginConfig {
    fn complete_request(&self, req: &CompletionRequest) -> Result<http::Request<Vec<u8>>, querymt::error::LLMError> {
        // ... construct completion request ...
        let body = serde_json::json!({ "prompt": req.prompt });
        let request = http::Request::builder()
            .method("POST")
            .uri(format!("{}/completions", self.base_url))
            .header("Authorization", format!("Bearer {}", self.api_key))
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body)?)?;
        Ok(request)
    }

    fn parse_complete(&self, resp: http::Response<Vec<u8>>) -> Result<CompletionResponse, querymt::error::LLMError> {
        // ... parse completion response ...
        // Example: let completion_response = serde_json::from_slice(resp.body())?;
        // Ok(completion_response)
        Ok(serde_json::from_slice(resp.body())?)
    }
}


// 3. Use the macro to export all necessary Extism functions
impl_extism_http_plugin!(
    config = MyPluginConfig,  // Your config struct
    factory = MyPluginFactory, // Your factory struct
    name = "My Example LLM HTTP Plugin" // Display name for the plugin
);
